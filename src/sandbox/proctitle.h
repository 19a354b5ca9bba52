#pragma once

/* pid 1 of the sandbox is a fork of airlock and would show airlock's own command line (host
 * paths, options) in /proc/1/cmdline, which the sandbox can read. This blanks that memory and
 * renames the process. */
void proctitle_hide(const char *name);
