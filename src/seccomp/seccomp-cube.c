/* Complements of sets of masked-equality "cubes": {x : (x & mask) == value}.
 *
 * libseccomp turns a syscall's conditional rules into a decision tree whose order between rules
 * of different actions is an implementation detail: when an allow rule and a deny rule both
 * match, which one wins depends on how the tree was merged. We never let that happen: for every
 * point of an argument filter where the rows stop, the compiler emits the complement of the
 * rows' cubes as rules of their own. The set and its complement are disjoint by construction.
 *
 * The complement is found by splitting the space on the bits the set's masks use, highest bit
 * first: a piece that lies inside a set cube is dropped, a piece that misses every set cube is
 * emitted, anything else is split again. Bits no set cube looks at stay free in every piece, so
 * a set of k points yields at most k * 64 pieces and usually far fewer. */
#include <errno.h>

#include "seccomp-internal.h"

static bool cube_inside(SeccompCube c, SeccompCube s)
{
        /* c lies inside s when c fixes every bit s fixes, to the same value */
        return (s.mask & ~c.mask) == 0 && ((c.value ^ s.value) & s.mask) == 0;
}

static bool cube_disjoint(SeccompCube c, SeccompCube s)
{
        return ((c.value ^ s.value) & c.mask & s.mask) != 0;
}

static void cube_split(const SeccompCube *set, size_t n, uint64_t split_bits, SeccompCube cur,
                       SeccompCube *ret, size_t max, size_t *count)
{
        bool all_disjoint = true;
        uint64_t rest, bit;

        for (size_t i = 0; i < n; i++) {
                if (cube_inside(cur, set[i]))
                        return;
                if (!cube_disjoint(cur, set[i]))
                        all_disjoint = false;
        }
        if (all_disjoint) {
                if (*count < max)
                        ret[*count] = cur;
                (*count)++;
                return;
        }
        /* Some set cube overlaps cur without containing it, so it fixes a bit cur leaves free:
         * rest is never 0 here. */
        rest = split_bits & ~cur.mask;
        bit = UINT64_C(1) << (63 - __builtin_clzll(rest));
        cube_split(set, n, split_bits, (SeccompCube){cur.mask | bit, cur.value}, ret, max, count);
        cube_split(set, n, split_bits, (SeccompCube){cur.mask | bit, cur.value | bit}, ret, max,
                   count);
}

int seccomp_cube_complement(const SeccompCube *set, size_t n, SeccompCube *ret, size_t max)
{
        uint64_t split_bits = 0;
        size_t count = 0;

        for (size_t i = 0; i < n; i++) {
                if (set[i].value & ~set[i].mask)
                        return -EINVAL;
                split_bits |= set[i].mask;
        }
        cube_split(set, n, split_bits, (SeccompCube){0, 0}, ret, max, &count);
        return count > (size_t)INT32_MAX ? -E2BIG : (int)count;
}
