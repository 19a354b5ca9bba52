/* The complement of sets of masked-equality cubes: checked exhaustively on small spaces. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "seccomp/seccomp-internal.h"

static bool in_cubes(const SeccompCube *c, size_t n, uint64_t x)
{
        for (size_t i = 0; i < n; i++)
                if ((x & c[i].mask) == c[i].value)
                        return true;
        return false;
}

/* every x in [0, 2^bits), with a few high bits thrown in, is in exactly one of set and
 * complement */
static void check_partition(const SeccompCube *set, size_t n, unsigned bits)
{
        SeccompCube comp[4096];
        int m = seccomp_cube_complement(set, n, comp, ELEMENTSOF(comp));

        cr_assert_geq(m, 0);
        cr_assert_leq((size_t)m, ELEMENTSOF(comp));
        for (uint64_t low = 0; low < (UINT64_C(1) << bits); low++)
                for (int h = 0; h < 3; h++) {
                        uint64_t high = h == 0   ? 0
                                        : h == 1 ? UINT64_C(1) << 40
                                                 : ~UINT64_C(0) << bits;
                        uint64_t x = low | high;
                        bool a = in_cubes(set, n, x), b = in_cubes(comp, (size_t)m, x);
                        cr_assert(a != b, "x=%#lx in set %d, in complement %d", (unsigned long)x, a,
                                  b);
                }
}

Test(cube, complement_of_one_point)
{
        SeccompCube set[] = {{0xff, 0x5a}};
        SeccompCube comp[16];

        /* one piece per bit: "bit i differs, bits above i agree" */
        cr_assert_eq(seccomp_cube_complement(set, 1, comp, ELEMENTSOF(comp)), 8);
        check_partition(set, 1, 10);
}

Test(cube, complement_of_a_flag_mask)
{
        /* clone: allowed when none of these bits is set */
        SeccompCube set[] = {{0xf0, 0}};
        SeccompCube comp[16];

        cr_assert_eq(seccomp_cube_complement(set, 1, comp, ELEMENTSOF(comp)), 4);
        check_partition(set, 1, 10);
}

Test(cube, complement_of_everything_is_empty)
{
        SeccompCube set[] = {{0x1, 0}, {0x1, 1}};
        SeccompCube comp[4];

        cr_assert_eq(seccomp_cube_complement(set, 2, comp, ELEMENTSOF(comp)), 0);
}

Test(cube, reports_the_size_it_needs)
{
        SeccompCube set[] = {{0xffffffff, 0x5412}};
        SeccompCube comp[4];

        cr_assert_eq(seccomp_cube_complement(set, 1, comp, ELEMENTSOF(comp)), 32);
}

Test(cube, rejects_values_outside_the_mask)
{
        SeccompCube set[] = {{0x0f, 0x10}};
        SeccompCube comp[4];

        cr_assert_eq(seccomp_cube_complement(set, 1, comp, ELEMENTSOF(comp)), -EINVAL);
}

Test(cube, random_sets_partition_the_space)
{
        srandom(7);
        for (int round = 0; round < 300; round++) {
                SeccompCube set[5];
                size_t n = 1 + (size_t)random() % ELEMENTSOF(set);

                for (size_t i = 0; i < n; i++) {
                        set[i].mask = (uint64_t)random() & 0xff;
                        set[i].value = (uint64_t)random() & set[i].mask;
                }
                check_partition(set, n, 9);
        }
}
