/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SHIM_CRYPTO_SHA2_H
#define SHIM_CRYPTO_SHA2_H

#define SHA256_DIGEST_SIZE 32

#endif
