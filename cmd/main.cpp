// qaqpa: a SHEP-compatible service gateway. Dispatches to the sub-commands.
#include "cmd/commands.hpp"

#include "core/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

constexpr const char* usage =
    "usage: qaqpa <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve [--config FILE] [--reset-registry]\n"
    "        run the gateway; without --config, the embedded demo\n"
    "        (data in ./qaqpa-data, login demo / demo-password, services \"echo\", \"inbox\")\n"
    "  hash-password\n"
    "        read a password on stdin, print the password_hash to put in the config\n"
    "  admin dp on|off|state ID [where]\n"
    "        switch delivery to a delivery point on or off, or show its state\n"
    "  admin journal query|export [filters] [where]\n"
    "        the logging journal of a running node: a page as a table (--json),\n"
    "        or an export as JSON lines or CSV (qaqpa admin --help for the flags)\n"
    "        where: --admin HOST:PORT --token-file FILE, or QAQPA_ADMIN and\n"
    "        QAQPA_ADMIN_TOKEN, or the config's [listeners.admin] (--config FILE)\n"
    "  journal verify FILE [--head HASH]\n"
    "        check an exported journal's hash chain, without a running node\n"
    "\n"
    "environment: QAQPA_LOG=debug|info|warn|error (default info)\n";

} // namespace

int main(int argc, char** argv) {
    const qaqpa::cmd::allocator_upkeep allocator;
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (const char* level = std::getenv("QAQPA_LOG")) {
        qaqpa::log::level l;
        if (qaqpa::log::parse_level(level, l)) qaqpa::log::set_level(l);
    }
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::fputs(usage, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    const auto command = args[0];
    const std::span<const std::string_view> rest(args.data() + 1, args.size() - 1);
    if (command == "serve") return qaqpa::cmd::serve(rest);
    if (command == "hash-password") return qaqpa::cmd::hash_password(rest);
    if (command == "admin") return qaqpa::cmd::admin(rest);
    if (command == "journal") return qaqpa::cmd::journal(rest);
    std::fprintf(stderr, "qaqpa: unknown command \"%.*s\"\n%s", static_cast<int>(command.size()), command.data(), usage);
    return 2;
}
