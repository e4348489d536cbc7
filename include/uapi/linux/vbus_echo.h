/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vbus-echo: a vbus device that echoes requests from guest memory
 *
 * Class "echo", one interface of type "echo", version 1; any number of
 * connections. Through call(), VBUS_ECHO_CALL_COPY copies a request to a
 * reply buffer. Through shared memory, two ioq rings with signals: the
 * guest posts requests on VBUS_ECHO_SHM_REQUEST and empty buffers on
 * VBUS_ECHO_SHM_REPLY; the device copies each request into the next reply
 * buffer and hands both back (used: the bytes copied; 0 for a request or
 * a buffer outside guest memory).
 */
#ifndef _UAPI_LINUX_VBUS_ECHO_H
#define _UAPI_LINUX_VBUS_ECHO_H

#include <linux/types.h>

#define VBUS_ECHO_CLASS		"echo"
#define VBUS_ECHO_INTF		"echo"
#define VBUS_ECHO_VERSION	1

/* Functions of VBUS_CONN_CALL */
#define VBUS_ECHO_CALL_COPY	0	/* data: struct vbus_echo_copy */
#define VBUS_ECHO_CALL_STATS	1	/* data: struct vbus_echo_stats */

/* shm_id of VBUS_CONN_SHM: both are ioq rings with a signal */
#define VBUS_ECHO_SHM_REQUEST	0
#define VBUS_ECHO_SHM_REPLY	1

/* Longest request VBUS_ECHO_CALL_COPY takes */
#define VBUS_ECHO_MAX_LEN	65536

/**
 * struct vbus_echo_copy - the request of VBUS_ECHO_CALL_COPY
 * @src: Guest-physical address of the request
 * @dst: Guest-physical address of the reply buffer
 * @len: Bytes to copy, at most VBUS_ECHO_MAX_LEN
 * @__pad: Must be 0
 *
 * The call returns @len; EINVAL for a @len too long, EFAULT if a range is
 * not guest memory (or the call's data is shorter than this structure).
 */
struct vbus_echo_copy {
	__le64 src;
	__le64 dst;
	__le32 len;
	__le32 __pad;
};

/**
 * struct vbus_echo_stats - what VBUS_ECHO_CALL_STATS writes to its data
 * @calls: Calls of VBUS_ECHO_CALL_COPY served on this connection
 * @requests: Ring requests served
 * @bytes: Bytes copied, by calls and rings
 * @errors: Ring requests or buffers outside guest memory
 *
 * The call returns the size written; EINVAL if the data is shorter.
 */
struct vbus_echo_stats {
	__le64 calls;
	__le64 requests;
	__le64 bytes;
	__le64 errors;
};

#endif /* _UAPI_LINUX_VBUS_ECHO_H */
