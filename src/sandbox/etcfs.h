#pragma once

#include "mount-util.h"

/* Fills "etc" (relative to the current directory, the root being built) with a synthetic
 * minimum: users and groups naming only the sandbox user, hosts, nsswitch, and read-only binds
 * of the host entries that programs need to start (loader cache, alternatives, certificates,
 * fonts, python and matplotlib configuration). Never shadow, never the host's passwd. With
 * network, also the resolver pointing at the gateway and the Node proxy shim
 * (/etc/airlock/node-proxy.js, net/node-proxy.h). */
int etcfs_build(const char *sysroot, MountBindFlags bind_flags, bool network);
