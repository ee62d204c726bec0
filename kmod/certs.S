/* SPDX-License-Identifier: GPL-2.0 */
/* The X.509 certificates trusted at load time, as concatenated DER. */
#include <linux/init.h>

	__INITRODATA
	.align 8
	.globl fwverify_certs
fwverify_certs:
	.incbin FWVERIFY_CERTS_DER
	.globl fwverify_certs_end
fwverify_certs_end:
