#include "result-json.h"
#include "event-json.h"
#include "scan-output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/base64.h"
#include "basic/macros.h"
#include "basic/utf8.h"

/* json_decrefp() is jansson's own (2.11+), the one behind its json_auto_t. */
#define _cleanup_json_ _cleanup_(json_decrefp)

const char *result_signal_name(int sig, char buf[static RESULT_SIGNAL_NAME_MAX])
{
        const char *abbrev;

        if (sig <= 0)
                return NULL;
        /* glibc has no abbreviation for the real-time range; name them as kill -l does. */
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
                snprintf(buf, RESULT_SIGNAL_NAME_MAX, "SIGRTMIN+%d", sig - SIGRTMIN);
                return buf;
        }
        abbrev = sigabbrev_np(sig);
        if (!abbrev)
                return NULL;
        snprintf(buf, RESULT_SIGNAL_NAME_MAX, "SIG%s", abbrev);
        return buf;
}

/* jansson's integers are signed 64-bit; our counters are unsigned and never get near the top. */
static json_t *json_u64(uint64_t v)
{
        return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Bytes as a JSON string. When they are not valid UTF-8 the string is a lossy copy and, if
 * ret_base64 is given, *ret_base64 holds the exact bytes; otherwise it is set to NULL.
 * Returns 0 or -ENOMEM. */
static int json_bytes(const char *s, size_t len, json_t **ret, json_t **ret_base64)
{
        _cleanup_free_ char *lossy = NULL, *b64 = NULL;
        _cleanup_json_ json_t *j = NULL, *jb = NULL;
        size_t lossy_len, b64_len;

        if (!s) {
                s = "";
                len = 0;
        }
        if (utf8_is_valid(s, len)) {
                /* json_stringn, not json_string: NULs are valid UTF-8 and must survive. Its own
                 * check is no stricter than utf8_is_valid, so NULL means out of memory. */
                j = json_stringn(s, len);
                if (!j)
                        return -ENOMEM;
        } else {
                if (utf8_make_valid(s, len, &lossy, &lossy_len) < 0)
                        return -ENOMEM;
                j = json_stringn(lossy, lossy_len);
                if (!j)
                        return -ENOMEM;
                if (ret_base64) {
                        if (base64_encode(s, len, &b64, &b64_len) < 0)
                                return -ENOMEM;
                        jb = json_stringn(b64, b64_len);
                        if (!jb)
                                return -ENOMEM;
                }
        }

        *ret = TAKE_PTR(j);
        if (ret_base64)
                *ret_base64 = TAKE_PTR(jb);
        return 0;
}

/* A string from one of our fixed-size fields (error step and message, cgroup version). It may
 * hold a user's path, or a character snprintf cut in half, so it is made valid too. */
static json_t *json_field(const char *field, size_t size)
{
        json_t *j = NULL;

        if (json_bytes(field, strnlen(field, size), &j, NULL) < 0)
                return NULL;
        return j;
}

/* Takes the reference to v in every case, as json_object_set_new does. Fails on v == NULL, so
 * a failed constructor can be passed straight in. */
static int set(json_t *o, const char *key, json_t *v)
{
        return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

static int set_output(json_t *o, const char *name, const CapturedOutput *out)
{
        char key_trunc[32], key_bytes[32], key_b64[32];
        json_t *text = NULL, *b64 = NULL;

        snprintf(key_trunc, sizeof(key_trunc), "%s_truncated", name);
        snprintf(key_bytes, sizeof(key_bytes), "%s_bytes", name);
        snprintf(key_b64, sizeof(key_b64), "%s_base64", name);

        if (json_bytes(out->data, out->len, &text, &b64) < 0)
                return -ENOMEM;
        if (set(o, name, text) < 0 || set(o, key_trunc, json_boolean(out->truncated)) < 0 ||
            set(o, key_bytes, json_u64(out->total)) < 0) {
                json_decref(b64);
                return -ENOMEM;
        }
        return b64 ? set(o, key_b64, b64) : 0;
}

/* Collected files kept in memory (the server) travel inside the result. */
static int set_base64(json_t *o, const char *key, const char *data, uint64_t len)
{
        _cleanup_free_ char *b64 = NULL;
        size_t n;

        if (base64_encode(data, (size_t)len, &b64, &n) < 0)
                return -ENOMEM;
        return set(o, key, json_stringn(b64, n));
}

static json_t *files_to_json(const RunResult *r)
{
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < r->n_files; i++) {
                const CollectedFile *cf = &r->files[i];
                _cleanup_json_ json_t *f = json_object();
                json_t *path = NULL, *path_b64 = NULL;

                if (!f)
                        return NULL;
                /* The program chose the name: it may be any bytes but "/" and NUL. */
                if (json_bytes(cf->path, cf->path ? strlen(cf->path) : 0, &path, &path_b64) < 0)
                        return NULL;
                if (set(f, "path", path) < 0) {
                        json_decref(path_b64);
                        return NULL;
                }
                if (path_b64 && set(f, "path_base64", path_b64) < 0)
                        return NULL;
                if (cf->skipped) {
                        json_t *why = NULL;

                        if (json_bytes(cf->skipped, strlen(cf->skipped), &why, NULL) < 0 ||
                            set(f, "skipped", why) < 0)
                                return NULL;
                } else if (set(f, "size", json_u64(cf->size)) < 0)
                        return NULL;
                if (cf->data && set_base64(f, "content_base64", cf->data, cf->size) < 0)
                        return NULL;
                if (json_array_append_new(a, TAKE_PTR(f)) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

static const char *const net_kind_names[] = {
    [NET_RECORD_CONNECT] = "connect",
    [NET_RECORD_HTTP] = "http",
    [NET_RECORD_DNS] = "dns",
};

/* Every attempt through the gateway; the names and reasons come from the sandbox's requests,
 * so they go through json_field() like any other text it chose. */
static json_t *network_to_json(const RunResult *r)
{
        _cleanup_json_ json_t *o = json_object(), *a = json_array();

        if (!o || !a || set(o, "enabled", json_boolean(r->network)) < 0)
                return NULL;
        for (size_t i = 0; i < r->n_net_records; i++) {
                const NetRecord *n = &r->net_records[i];
                _cleanup_json_ json_t *e = json_object();

                if (!e || set(e, "kind", json_string(net_kind_names[n->kind % 3])) < 0 ||
                    set(e, "host", json_field(n->host, sizeof(n->host))) < 0 ||
                    set(e, "port", json_integer(n->port)) < 0 ||
                    set(e, "address", json_field(n->address, sizeof(n->address))) < 0 ||
                    set(e, "verdict", json_string(n->allowed ? "allowed" : "refused")) < 0 ||
                    set(e, "reason", json_field(n->reason, sizeof(n->reason))) < 0 ||
                    set(e, "bytes_up", json_u64(n->bytes_up)) < 0 ||
                    set(e, "bytes_down", json_u64(n->bytes_down)) < 0 ||
                    set(e, "duration_ms", json_u64(n->duration_ms)) < 0 ||
                    json_array_append_new(a, TAKE_PTR(e)) < 0)
                        return NULL;
        }
        if (set(o, "attempts", TAKE_PTR(a)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static json_t *limits_to_json(const AirlockLimits *l)
{
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return NULL;
        if (set(o, "memory_bytes", json_u64(l->memory_bytes)) < 0 ||
            set(o, "wall_ms", json_u64(l->wall_ms)) < 0 ||
            set(o, "cpu_ms", json_u64(l->cpu_ms)) < 0 || set(o, "pids", json_u64(l->pids)) < 0 ||
            set(o, "cpus", json_real(l->cpu_milli / 1000.0)) < 0 ||
            set(o, "stdout_bytes", json_u64(l->stdout_bytes)) < 0 ||
            set(o, "stderr_bytes", json_u64(l->stderr_bytes)) < 0 ||
            set(o, "scratch_bytes", json_u64(l->scratch_bytes)) < 0 ||
            set(o, "tmp_bytes", json_u64(l->tmp_bytes)) < 0 ||
            set(o, "nofile", json_u64(l->nofile)) < 0 ||
            set(o, "fsize_bytes", json_u64(l->fsize_bytes)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static json_t *error_to_json(const AirlockError *e)
{
        _cleanup_json_ json_t *o = json_object();
        const char *errno_name = e->errnum > 0 ? strerrorname_np(e->errnum) : NULL;
        char text[sizeof(e->step) + sizeof(e->message) + 128];

        if (!o)
                return NULL;
        airlock_error_format(e, text, sizeof(text));
        if (set(o, "kind", json_string(airlock_error_kind_to_string(e->kind))) < 0 ||
            set(o, "step", json_field(e->step, sizeof(e->step))) < 0 ||
            set(o, "message", json_field(e->message, sizeof(e->message))) < 0 ||
            set(o, "errno", e->errnum > 0 ? json_integer(e->errnum) : json_null()) < 0 ||
            set(o, "errno_name", errno_name ? json_string(errno_name) : json_null()) < 0 ||
            set(o, "text", json_field(text, sizeof(text))) < 0)
                return NULL;
        return TAKE_PTR(o);
}

json_t *result_to_json(const RunResult *r)
{
        _cleanup_json_ json_t *o = json_object(), *events = NULL, *sandbox = NULL;
        /* No signal recorded and something ran: the program exited (see result-json.h). */
        bool ran = r->status != RUN_SETUP_ERROR && r->status != RUN_PRESCREEN_BLOCKED;
        bool exited = ran && r->signal == 0;
        bool signaled = ran && r->signal > 0;
        char sigbuf[RESULT_SIGNAL_NAME_MAX];
        const char *signame = signaled ? result_signal_name(r->signal, sigbuf) : NULL;

        if (!o)
                return NULL;
        if (set(o, "status", json_string(run_status_to_string(r->status))) < 0 ||
            set(o, "exit_code", exited ? json_integer(r->exit_code) : json_null()) < 0 ||
            set(o, "signal", signaled ? json_integer(r->signal) : json_null()) < 0 ||
            set(o, "signal_name", signame ? json_string(signame) : json_null()) < 0 ||
            set(o, "wall_ms", json_u64(r->wall_ms)) < 0 ||
            set(o, "cpu_user_ms", json_u64(r->cpu_user_ms)) < 0 ||
            set(o, "cpu_sys_ms", json_u64(r->cpu_sys_ms)) < 0 ||
            set(o, "memory_peak_bytes", json_u64(r->memory_peak_bytes)) < 0)
                return NULL;
        if (set_output(o, "stdout", &r->out) < 0 || set_output(o, "stderr", &r->err) < 0)
                return NULL;
        if (set(o, "files", files_to_json(r)) < 0 ||
            set(o, "limits", limits_to_json(&r->limits)) < 0)
                return NULL;

        events = json_object();
        if (!events || set(events, "oom_kills", json_u64(r->oom_kills)) < 0 ||
            set(events, "pids_max_hits", json_u64(r->pids_max_hits)) < 0 ||
            set(o, "events", TAKE_PTR(events)) < 0)
                return NULL;
        if (set(o, "network", network_to_json(r)) < 0)
                return NULL;
        /* Only when asked for: {"files": [...findings per file...], "summary": {...}}. */
        if (r->prescreened &&
            set(o, "prescreen", scan_reports_to_json(r->prescreen, r->n_prescreen)) < 0)
                return NULL;

        sandbox = json_object();
        if (!sandbox ||
            set(sandbox, "cgroup",
                r->cgroup_version[0] ? json_field(r->cgroup_version, sizeof(r->cgroup_version))
                                     : json_null()) < 0 ||
            set(sandbox, "rootless", json_boolean(r->rootless)) < 0 ||
            set(sandbox, "seccomp",
                r->seccomp[0] ? json_field(r->seccomp, sizeof(r->seccomp)) : json_null()) < 0 ||
            set(sandbox, "landlock_abi", json_integer(r->landlock_abi)) < 0 ||
            set(o, "sandbox", TAKE_PTR(sandbox)) < 0)
                return NULL;

        if (r->error.kind != AIRLOCK_ERR_NONE && set(o, "error", error_to_json(&r->error)) < 0)
                return NULL;
        /* --audit (docs/EVENTS.md): the run's id, which its events carry, and the summary */
        if (r->run_id[0] && set(o, "run_id", json_field(r->run_id, sizeof(r->run_id))) < 0)
                return NULL;
        if (set(o, "audit", audit_summary_to_json(&r->audit)) < 0)
                return NULL;
        if (r->audit.violated && set(o, "violation", audit_alert_to_json(&r->audit.violation)) < 0)
                return NULL;

        return TAKE_PTR(o);
}

int result_write_json(const RunResult *r, FILE *f)
{
        _cleanup_json_ json_t *j = result_to_json(r);

        if (!j)
                return -ENOMEM;
        errno = 0;
        if (json_dumpf(j, f, RESULT_JSON_DUMP_FLAGS) < 0 || fputc('\n', f) == EOF ||
            fflush(f) == EOF)
                return negative_errno();
        return 0;
}

int result_write_json_file(const RunResult *r, const char *path)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int fd, ret;

        /* Next to the target, so that rename() stays within one file system. */
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        f = fdopen(fd, "w");
        if (!f) {
                ret = negative_errno();
                safe_close(fd);
                goto fail;
        }
        /* mkostemp creates 0600; results are meant to be read by others (a CI job, a web
         * server). */
        if (fchmod(fd, 0644) < 0) {
                ret = negative_errno();
                goto fail;
        }
        ret = result_write_json(r, f);
        if (ret < 0)
                goto fail;
        /* Durable before visible: after a crash the name points at the old file or the whole
         * new one, never at an empty one. */
        if (fsync(fd) < 0) {
                ret = negative_errno();
                goto fail;
        }
        if (fclose(TAKE_PTR(f)) == EOF) {
                ret = negative_errno();
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                ret = negative_errno();
                goto fail;
        }
        return 0;

fail:
        (void)unlink(tmp);
        return ret;
}
