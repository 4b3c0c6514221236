/* store_modules.c: the store's modules (store_query.h), in the order their migrations apply. */
#include "store/store_query.h"

extern const store_module store_module_people;
extern const store_module store_module_audit;
extern const store_module store_module_work;
extern const store_module store_module_risk;
extern const store_module store_module_settings;
extern const store_module store_module_outbox;

const store_module *const store_modules[] = {
    &store_module_people,
    &store_module_audit,
    &store_module_work,
    &store_module_risk,
    &store_module_settings,
    &store_module_outbox,
    NULL,
};
