#include "gateway-audit.h"

#include <stdio.h>

#include "basic/clock.h"

/* The gateway's verdicts as events, live (docs/EVENTS.md). Runs on the gateway's
 * threads, which audit_session_emit() allows; the session outlives the gateway (stop_gateway()
 * comes before run.end and before the session is freed). */
static void emit_verdict(const NetRecord *rec, void *userdata)
{
        AuditEvent ev = {
            .kind = rec->kind == NET_RECORD_DNS ? AUDIT_EVENT_NET_DNS : AUDIT_EVENT_NET_CONNECT,
            .via = "gateway",
            .request = rec->kind == NET_RECORD_DNS ? NULL : net_record_kind_to_string(rec->kind),
            .host = rec->host[0] ? rec->host : NULL,
            .port = rec->port,
            .address = rec->address[0] ? rec->address : NULL,
            .verdict = rec->allowed ? "allowed" : "refused",
            .reason = rec->reason,
        };

        audit_session_emit(userdata, &ev);
}

/* A proxy request counts towards the scan rules (net-scan) by the destination it names,
 * host and port, in the windows the supervisor counts direct connects into. Asked before the
 * gateway judges the request, so that the request completing a scan is refused, as a direct
 * connect completing one is (docs/EVENTS.md); so is every request once the run is being
 * killed. The alert comes before the request's net.connect event here: the event carries the
 * verdict, and the verdict is the alert's doing. A log-only scan rule therefore marks no event
 * when it fires here. Same threads and session lifetime as emit_verdict(). */
static bool check_request(const NetRecord *rec, char *reason, size_t size, void *userdata)
{
        AuditSession *session = userdata;
        char evidence[AUDIT_EVIDENCE_MAX];
        const AuditRule *rule = NULL;
        AuditScanDest dest;
        size_t count = 0;
        bool killed = false;

        if (audit_scan_dest_host(rec->host, rec->port, &dest) >= 0)
                rule = audit_session_scan(session, &dest, clock_monotonic_ns() / 1000000, &count,
                                          &killed);
        else
                killed = audit_session_violated(session);
        if (rule && rule->action != AUDIT_ACTION_LOG) {
                audit_scan_evidence(evidence, sizeof(evidence), count, rule->scan_window_ms,
                                    rec->host, rec->port);
                /* the main loop, woken by the alert's event, kills the run */
                (void)audit_session_alert(session, rule, evidence, 0);
        }
        if (!killed)
                return true;
        if (rule && rule->action == AUDIT_ACTION_KILL)
                snprintf(reason, size, "audit rule %s", rule->id);
        else
                snprintf(reason, size, "the run is being killed");
        return false;
}

GatewayHooks gateway_audit_hooks(AuditSession *session)
{
        return (GatewayHooks){
            .on_attempt = check_request,
            .on_verdict = emit_verdict,
            .userdata = session,
        };
}
