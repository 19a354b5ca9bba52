#include "serve-request.h"

#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"

static void strv_free(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void serve_request_init(ServeRequest *r)
{
        *r = (ServeRequest){0};
}

void serve_request_done(ServeRequest *r)
{
        strv_free(r->argv, r->n_argv);
        free(r->language);
        free(r->code);
        for (size_t i = 0; i < r->n_files; i++) {
                free(r->files[i].path);
                free(r->files[i].data);
        }
        free(r->files);
        free(r->stdin_data);
        strv_free(r->env, r->n_env);
        strv_free(r->collect, r->n_collect);
        strv_free(r->allow_net, r->n_allow_net);
        *r = (ServeRequest){0};
}

/* Appends a copy of s, keeping v NULL-terminated (argv is handed to execve as it is). */
static int strv_add(char ***v, size_t *n, const char *s, size_t max)
{
        char **grown, *copy;

        if (*n >= max || strlen(s) > SERVE_MAX_STRING)
                return -E2BIG;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        grown = realloc(*v, (*n + 2) * sizeof(char *));
        if (!grown) {
                free(copy);
                return -ENOMEM;
        }
        grown[(*n)++] = copy;
        grown[*n] = NULL;
        *v = grown;
        return 0;
}

int serve_request_add_argv(ServeRequest *r, const char *arg)
{
        return strv_add(&r->argv, &r->n_argv, arg, SERVE_MAX_ARGV);
}

int serve_request_add_env(ServeRequest *r, const char *kv)
{
        return strv_add(&r->env, &r->n_env, kv, AIRLOCK_MAX_ENV);
}

int serve_request_add_collect(ServeRequest *r, const char *glob)
{
        return strv_add(&r->collect, &r->n_collect, glob, AIRLOCK_MAX_COLLECT);
}

int serve_request_add_allow_net(ServeRequest *r, const char *spec)
{
        return strv_add(&r->allow_net, &r->n_allow_net, spec, AIRLOCK_MAX_NET_SPECS);
}

int serve_request_add_file(ServeRequest *r, const char *path, const uint8_t *data, size_t len,
                           bool executable)
{
        _cleanup_free_ char *p = NULL;
        _cleanup_free_ uint8_t *d = NULL;
        ServeFile *grown;

        if (r->n_files >= SERVE_MAX_FILES || strlen(path) > SERVE_MAX_STRING)
                return -E2BIG;
        p = strdup(path);
        d = malloc(len ? len : 1);
        if (!p || !d)
                return -ENOMEM;
        if (len)
                memcpy(d, data, len);
        grown = realloc(r->files, (r->n_files + 1) * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        r->files = grown;
        grown[r->n_files++] = (ServeFile){
            .path = TAKE_PTR(p), .data = TAKE_PTR(d), .len = len, .executable = executable};
        return 0;
}
