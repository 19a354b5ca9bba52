/* placeholder: being written */
#include <criterion/criterion.h>

Test(placeholder_scan_shell, builds)
{
        cr_assert(1);
}
