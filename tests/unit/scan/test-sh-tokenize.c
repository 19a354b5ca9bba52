/* placeholder: being written */
#include <criterion/criterion.h>

Test(placeholder_sh_tokenize, builds)
{
        cr_assert(1);
}
