/* The service's listening sockets, made by the launcher before the front end exists (so the
 * front end needs neither socket() nor bind(), and its filter forbids both). */
#pragma once

#include <stdbool.h>

#include "basic/error.h"

/* "127.0.0.1:8080", "[::1]:8080", "localhost:8080" (loopback only by that name) or
 * "unix:/path". Returns a listening, O_CLOEXEC socket or a negative errno with err set. */
int listen_open(const char *spec, AirlockError *err);

/* Whether spec names only this machine: a loopback address or a unix socket. */
bool listen_is_local(const char *spec);
