#include "cmd/commands.hpp"
#include "cmd/node.hpp"

#include "core/log.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <malloc.h>
#include <cstdio>
#include <iostream>

namespace qaqpa::cmd {
namespace {

/// Raises the soft open-file limit to the hard one (as nginx's
/// worker_rlimit_nofile does): every connection is a descriptor, and the
/// usual soft default of 1,024 is a few hundred clients.
void raise_fd_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
    if (lim.rlim_cur >= lim.rlim_max) {
        log::info("node", "open-file limit {}", static_cast<unsigned long long>(lim.rlim_cur));
        return;
    }
    const auto before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) == 0)
        log::info("node", "open-file limit raised from {} to {}", static_cast<unsigned long long>(before),
                  static_cast<unsigned long long>(lim.rlim_max));
    else
        log::warn("node", "open-file limit stays {}: {}", static_cast<unsigned long long>(before), std::strerror(errno));
}

/// [log] from the config; QAQPA_LOG, when set, keeps the level it chose.
void apply_log_settings(const log_config& c) {
    log::set_format(c.format);
    if (!std::getenv("QAQPA_LOG")) log::set_level(c.level);
}

} // namespace

int serve(std::span<const std::string_view> args) {
    std::optional<std::string> config_file;
    node_options opts;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) config_file = std::string(args[++i]);
        else if (args[i] == "--reset-registry") opts.reset_registry = true;
        else {
            std::cerr << "usage: qaqpa serve [--config FILE] [--reset-registry]\n";
            return 2;
        }
    }
    std::signal(SIGPIPE, SIG_IGN);
    // Keep allocations of 1 MiB and more (scrypt's 16 MiB working area) in
    // their own mappings, returned on free: glibc otherwise raises the
    // threshold after the first such free and keeps them resident.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);

    auto cfg = config_file ? load_config(*config_file) : result<config>(demo_config());
    if (!cfg) {
        std::cerr << "qaqpa: config error: " << cfg.error().detail << '\n';
        return exit_bad_config;
    }
    apply_log_settings(cfg->log);
    raise_fd_limit();
    if (auto r = prepare_registry(*cfg, config_file.has_value()); !r) {
        std::cerr << "qaqpa: config error: " << r.error().detail << '\n';
        return exit_bad_config;
    }
    if (!config_file) log::info("node", "no --config: running the embedded demo (login \"{}\", services \"echo\" and \"inbox\")", demo_login);

    const auto public_address = cfg->public_listener.address;
    const auto admin_address = cfg->admin_listener.address;
    auto n = node::start(std::move(*cfg), opts);
    if (!n) {
        std::cerr << "qaqpa: cannot start: " << n.error().detail << '\n';
        return 1;
    }
    std::printf("qaqpa: listening public %s:%u\n", public_address.c_str(), (*n)->public_port());
    std::printf("qaqpa: listening admin %s:%u\n", admin_address.c_str(), (*n)->admin_port());
    std::fflush(stdout);
    if (config_file)
        (*n)->run_until_signal([file = *config_file]() -> result<config> {
            auto again = load_config(file);
            if (!again) return again.error();
            if (auto r = prepare_registry(*again, false); !r) return r.error();
            return again;
        });
    else
        (*n)->run_until_signal();
    return 0;
}

} // namespace qaqpa::cmd
