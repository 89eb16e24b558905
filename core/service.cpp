#include "core/service.hpp"

#include "core/log.hpp"

namespace qaqpa {

void service_list::start_all() {
    for (; started_ < services_.size(); ++started_) {
        log::debug("node", "starting {}", services_[started_]->name());
        services_[started_]->start();
    }
}

void service_list::stop_all() {
    while (started_ > 0) {
        auto* s = services_[--started_];
        log::debug("node", "stopping {}", s->name());
        s->stop();
    }
}

} // namespace qaqpa
