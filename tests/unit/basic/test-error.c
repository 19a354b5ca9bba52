#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "basic/error.h"

Test(error, first_error_wins_and_formats)
{
        AirlockError err = {0};
        char buf[512];

        cr_assert_eq(
            airlock_error_set(&err, AIRLOCK_ERR_SETUP, EACCES, "mount /usr read-only", NULL),
            -EACCES);
        airlock_error_set(&err, AIRLOCK_ERR_INTERNAL, ENOENT, "later", "echo");
        airlock_error_format(&err, buf, sizeof(buf));
        cr_assert_str_eq(buf, "mount /usr read-only: Permission denied");
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
}

Test(error, zero_errno_is_einval_and_message_kept)
{
        AirlockError err = {0};
        char buf[512];

        cr_assert_eq(airlock_error_set(&err, AIRLOCK_ERR_USAGE, 0, "--memory", "'%s' bad", "-5"),
                     -EINVAL);
        airlock_error_format(&err, buf, sizeof(buf));
        cr_assert_str_eq(buf, "--memory: '-5' bad");
        cr_assert_eq(airlock_error_set(NULL, AIRLOCK_ERR_USAGE, 5, "x", NULL), -5);
}
