#include "tests/support/child_node.hpp"

#include "tests/support/catch.hpp"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

namespace qaqpa::test {
namespace {

std::string read_all(const std::string& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

std::string child_config(const std::string& limits, const std::string& services) {
    return R"(
[node]
data_dir = "data"
threads = 2
[listeners.public]
port = 0
[listeners.admin]
port = 0
[limits]
)" + limits + R"(
[[systems]]
id = "sender"
password = "sender-password"
[[systems]]
id = "owner"
password = "owner-password"
)" + services;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

child_node::child_node(const std::string& binary, const temp_dir& dir, child_options opts) {
    const auto run = std::to_string(++runs_);
    const auto out = (dir.path() / ("stdout-" + run)).string();
    log_file_ = (dir.path() / ("stderr-" + run)).string();
    const std::string conf = (dir.path() / "qaqpa.toml").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> args;
    if (opts.open_files > 0) args = {"/usr/bin/prlimit", "--nofile=" + std::to_string(opts.open_files), "--"};
    for (const auto& a : {binary, std::string("serve"), std::string("--config"), conf}) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    // The node prints its port once it listens.
    const std::regex listening(R"(listening public 127\.0\.0\.1:(\d+)\s+qaqpa: listening admin [0-9.]+:(\d+))");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (port_ == 0 && std::chrono::steady_clock::now() < until) {
        const auto text = read_all(out);
        std::smatch m;
        if (std::regex_search(text, m, listening)) {
            port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
            admin_port_ = static_cast<std::uint16_t>(std::stoi(m[2]));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    INFO(log());
    REQUIRE(port_ != 0);
}

std::string child_node::log() const { return read_all(log_file_); }

int child_node::stop(int sig, std::chrono::seconds bound) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + bound;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= until) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return status;
}

} // namespace qaqpa::test
