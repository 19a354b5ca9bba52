/* placeholder: being written */
#include <criterion/criterion.h>

Test(placeholder_scan_core, builds)
{
        cr_assert(1);
}
