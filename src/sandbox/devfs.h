#pragma once

/* Builds "dev" (relative to the root being built): null, zero, full, random, urandom bound from
 * the host, a private devpts for ptys, a /dev/shm tmpfs, and the usual fd links. No tty, no
 * disks, nothing else. */
int devfs_build(unsigned long long shm_bytes);
