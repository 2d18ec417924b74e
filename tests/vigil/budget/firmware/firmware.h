#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
int helper_moved(int x);
int tflm_invoke(int x);
int vigil_frontend_run(const uint8_t *data, int n);
int k_sched_lock(void);
int arm_convolve_s8(const int8_t *in, int n);
int main(void);
extern const uint8_t g_model[];
extern uint8_t tensor_arena[];
#ifdef __cplusplus
}
#endif
