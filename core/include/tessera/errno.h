/* Hypercall status codes (negated in RAX). Values follow Linux errno. */
#ifndef TESSERA_ERRNO_H
#define TESSERA_ERRNO_H

#define TESSERA_EPERM    1
#define TESSERA_ENOENT   2
#define TESSERA_ESRCH    3 /* no such (running) domain */
#define TESSERA_ENOMEM  12
#define TESSERA_EACCES  13
#define TESSERA_EFAULT  14
#define TESSERA_EBUSY   16
#define TESSERA_EEXIST  17
#define TESSERA_ENODEV  19 /* no such assigned device */
#define TESSERA_EINVAL  22
#define TESSERA_ENOSPC  28
#define TESSERA_EROFS   30 /* a writable mapping of a read-only grant */
#define TESSERA_ERANGE  34
#define TESSERA_ENOSYS  38
#define TESSERA_EOVERFLOW 75
#define TESSERA_ENOEXEC  8
#define TESSERA_EPIPE   32 /* the other end of an event channel closed */
#define TESSERA_ENOTCONN 107 /* event channel port not bound yet */
#define TESSERA_ESTALE  116 /* grant reference ended (or reused since) */

#endif
