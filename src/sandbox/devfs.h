#pragma once

/* Builds "dev" (relative to the root being built): null, zero, full, random, urandom bound from
 * the host, a private devpts for ptys, a /dev/shm tmpfs, and the usual fd links. No tty, no
 * disks, nothing else. In two halves: the skeleton while the root is writable, the mounts
 * after it was made read-only. */
int devfs_prepare(void);
int devfs_mount(unsigned long long shm_bytes);
