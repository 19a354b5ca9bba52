/* placeholder: being written */
#include <criterion/criterion.h>

Test(placeholder_py_tokenize, builds)
{
        cr_assert(1);
}
