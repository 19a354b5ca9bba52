/* The subset of classic BPF the kernel's seccomp accepts (seccomp_check_filter): loads of 32-bit
 * words of struct seccomp_data, the scratch memory, ALU, jumps and returns. */
#include "bpf-eval.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

size_t bpf_eval_steps;

static int alu(uint16_t op, uint32_t *a, uint32_t operand)
{
        switch (op) {
        case BPF_ADD:
                *a += operand;
                return 0;
        case BPF_SUB:
                *a -= operand;
                return 0;
        case BPF_MUL:
                *a *= operand;
                return 0;
        case BPF_DIV:
                if (operand == 0)
                        return -EINVAL;
                *a /= operand;
                return 0;
        case BPF_MOD:
                if (operand == 0)
                        return -EINVAL;
                *a %= operand;
                return 0;
        case BPF_OR:
                *a |= operand;
                return 0;
        case BPF_AND:
                *a &= operand;
                return 0;
        case BPF_XOR:
                *a ^= operand;
                return 0;
        case BPF_LSH:
                *a = operand >= 32 ? 0 : *a << operand;
                return 0;
        case BPF_RSH:
                *a = operand >= 32 ? 0 : *a >> operand;
                return 0;
        case BPF_NEG:
                *a = -*a;
                return 0;
        }
        return -EINVAL;
}

int bpf_eval(const struct sock_filter *prog, size_t len, const struct seccomp_data *d,
             uint32_t *ret)
{
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};

        bpf_eval_steps = 0;
        for (size_t pc = 0; pc < len; pc++) {
                const struct sock_filter *f = &prog[pc];
                uint32_t operand = BPF_SRC(f->code) == BPF_X ? x : f->k;
                size_t target;
                bool taken;

                bpf_eval_steps++;
                switch (BPF_CLASS(f->code)) {
                case BPF_LD:
                        if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
                                if (f->k % 4 != 0 || f->k > sizeof(*d) - 4)
                                        return -EINVAL;
                                memcpy(&a, (const char *)d + f->k, 4);
                        } else if (f->code == (BPF_LD | BPF_IMM))
                                a = f->k;
                        else if (f->code == (BPF_LD | BPF_MEM) && f->k < BPF_MEMWORDS)
                                a = mem[f->k];
                        else if (f->code == (BPF_LD | BPF_W | BPF_LEN))
                                a = sizeof(*d);
                        else
                                return -EINVAL;
                        break;
                case BPF_LDX:
                        if (f->code == (BPF_LDX | BPF_IMM))
                                x = f->k;
                        else if (f->code == (BPF_LDX | BPF_MEM) && f->k < BPF_MEMWORDS)
                                x = mem[f->k];
                        else if (f->code == (BPF_LDX | BPF_W | BPF_LEN))
                                x = sizeof(*d);
                        else
                                return -EINVAL;
                        break;
                case BPF_ST:
                case BPF_STX:
                        if (f->k >= BPF_MEMWORDS)
                                return -EINVAL;
                        mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
                        break;
                case BPF_ALU:
                        if (alu(BPF_OP(f->code), &a, operand) < 0)
                                return -EINVAL;
                        break;
                case BPF_JMP:
                        if (BPF_OP(f->code) == BPF_JA) {
                                target = pc + 1 + f->k;
                        } else {
                                switch (BPF_OP(f->code)) {
                                case BPF_JEQ:
                                        taken = a == operand;
                                        break;
                                case BPF_JGT:
                                        taken = a > operand;
                                        break;
                                case BPF_JGE:
                                        taken = a >= operand;
                                        break;
                                case BPF_JSET:
                                        taken = (a & operand) != 0;
                                        break;
                                default:
                                        return -EINVAL;
                                }
                                target = pc + 1 + (taken ? f->jt : f->jf);
                        }
                        if (target >= len)
                                return -EINVAL;
                        pc = target - 1;
                        break;
                case BPF_RET:
                        if (BPF_RVAL(f->code) == BPF_K)
                                *ret = f->k;
                        else if (BPF_RVAL(f->code) == BPF_A)
                                *ret = a;
                        else
                                return -EINVAL;
                        return 0;
                case BPF_MISC:
                        if (BPF_MISCOP(f->code) == BPF_TAX)
                                x = a;
                        else if (BPF_MISCOP(f->code) == BPF_TXA)
                                a = x;
                        else
                                return -EINVAL;
                        break;
                default:
                        return -EINVAL;
                }
        }
        return -EINVAL; /* fell off the end: the kernel's checker refuses such programs */
}
