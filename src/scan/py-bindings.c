/* Bindings: what a name stands for, per scope. A hash table of (name, scope) to a kind and a
 * value, the names and values in one arena bounded by ARENA_MAX. */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

void py_bindings_done(Bindings *b)
{
        free(b->v);
        free(b->bucket);
        free(b->arena);
        *b = (Bindings){};
}

/* FNV-1a of the name; the scope is mixed in when picking the bucket, so that one hash of the
 * name serves the lookups in every scope. */
uint32_t py_name_hash(const char *s, size_t n)
{
        uint32_t h = 2166136261u;

        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 16777619u;
        return h;
}

static size_t bucket_of(const Bindings *b, uint32_t h, uint32_t scope)
{
        return (h ^ scope * 0x9e3779b1u) & (b->n_bucket - 1);
}

static bool arena_add(Bindings *b, const char *s, size_t n, uint32_t *ret)
{
        if (n > ARENA_MAX || b->arena_len > ARENA_MAX - n)
                return false;
        if (b->arena_len + n > b->arena_cap) {
                size_t cap = MAX(b->arena_cap * 2, b->arena_len + n + 4096);
                char *p = realloc(b->arena, cap);

                if (!p)
                        return false;
                b->arena = p;
                b->arena_cap = cap;
        }
        if (n > 0)
                memcpy(b->arena + b->arena_len, s, n);
        *ret = (uint32_t)b->arena_len;
        b->arena_len += n;
        return true;
}

Binding *py_bindings_find(const Bindings *b, const char *name, size_t n, uint32_t h, uint32_t scope)
{
        if (b->n_bucket == 0)
                return NULL;
        for (uint32_t i = b->bucket[bucket_of(b, h, scope)]; i != UINT32_MAX; i = b->v[i].next) {
                Binding *e = &b->v[i];

                if (e->scope == scope && e->name_len == n &&
                    memcmp(b->arena + e->name, name, n) == 0)
                        return e;
        }
        return NULL;
}

static bool bindings_rehash(Bindings *b)
{
        size_t nb = b->n_bucket ? b->n_bucket * 2 : 256;
        uint32_t *bucket = malloc(nb * sizeof(*bucket));

        if (!bucket)
                return false;
        memset(bucket, 0xff, nb * sizeof(*bucket));
        for (size_t i = 0; i < b->n; i++) {
                Binding *e = &b->v[i];
                uint32_t h =
                    (py_name_hash(b->arena + e->name, e->name_len) ^ e->scope * 0x9e3779b1u) &
                    (uint32_t)(nb - 1);

                e->next = bucket[h];
                bucket[h] = (uint32_t)i;
        }
        free(b->bucket);
        b->bucket = bucket;
        b->n_bucket = nb;
        return true;
}

/* Binds name in scope to (kind, value), replacing what it was bound to there. False when out of
 * memory or past ARENA_MAX: the name then keeps its old meaning. */
bool py_bindings_set(Bindings *b, const char *name, size_t n, uint32_t scope, uint8_t kind,
                     const char *val, size_t val_len, uint8_t flags)
{
        uint32_t h = py_name_hash(name, n), v = 0;
        Binding *e = py_bindings_find(b, name, n, h, scope);

        if (!arena_add(b, val, val_len, &v))
                return false;
        if (!e) {
                uint32_t off;

                if (b->n >= UINT32_MAX - 1 || !arena_add(b, name, n, &off))
                        return false;
                if (b->n == b->cap) {
                        size_t cap = b->cap ? b->cap * 2 : 64;
                        Binding *p = reallocarray(b->v, cap, sizeof(*p));

                        if (!p)
                                return false;
                        b->v = p;
                        b->cap = cap;
                }
                if (b->n + 1 > b->n_bucket && !bindings_rehash(b))
                        return false;
                e = &b->v[b->n];
                *e = (Binding){.name = off, .name_len = (uint32_t)n, .scope = scope};
                e->next = b->bucket[bucket_of(b, h, scope)];
                b->bucket[bucket_of(b, h, scope)] = (uint32_t)b->n++;
        }
        e->kind = kind;
        e->flags = flags;
        e->val = v;
        e->val_len = (uint32_t)val_len;
        return true;
}
