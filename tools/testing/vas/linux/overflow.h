/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's check_*_overflow() take operands of any integer types; the
 * tools/include ones want one type.
 */
#ifndef __VAS_SHIM_OVERFLOW_H
#define __VAS_SHIM_OVERFLOW_H

#include_next <linux/overflow.h>

#undef check_add_overflow
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#undef check_sub_overflow
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#undef check_mul_overflow
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#endif /* __VAS_SHIM_OVERFLOW_H */
