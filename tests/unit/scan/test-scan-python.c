/* placeholder: being written */
#include <criterion/criterion.h>

Test(placeholder_scan_python, builds)
{
        cr_assert(1);
}
