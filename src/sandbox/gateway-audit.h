/* --audit and the egress gateway (docs/EVENTS.md): each verdict of the gateway as a live event,
 * and each proxy request counted by the scan rules, the way the supervisor counts direct
 * connects. The hooks run on the gateway's threads; the session must outlive the gateway. */
#pragma once

#include "audit/audit-session.h"
#include "net/gateway.h"

GatewayHooks gateway_audit_hooks(AuditSession *session);
