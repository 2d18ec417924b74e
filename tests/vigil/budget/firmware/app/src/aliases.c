/* Aliases: one function and one table under two names each (same address and size). */
#include <stdint.h>

__attribute__((used, noinline, section(".text.keep_edges.alias"))) int edge_alias_target(int x)
{
	return x * 5 + 2;
}
int edge_alias_fn(int x) __attribute__((alias("edge_alias_target")));

__attribute__((used, section(".rodata.keep_edges.alias"))) const int32_t edge_table_target[6] = {1, 2, 3, 4, 5, 6};
extern const int32_t edge_table_alias[6] __attribute__((alias("edge_table_target")));
