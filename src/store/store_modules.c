/* store_modules.c: the store's modules (store_query.h), in the order their migrations apply. */
#include "store/store_query.h"

const store_module *const store_modules[] = {
    NULL,
};
