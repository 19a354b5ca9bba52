#pragma once

/* Brings up "lo" in the current (fresh) network namespace: the sandbox's only interface. */
int loopback_up(void);
