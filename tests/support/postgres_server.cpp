#include "tests/support/postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace qaqpa::test {

namespace {

const std::string bin = "/usr/lib/postgresql/15/bin/";
std::string reason;

int free_loopback_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("no free loopback port");
    ::close(s);
    return ntohs(a.sin_port);
}

std::string tail_of(const std::string& file) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > 400 ? text.substr(text.size() - 400) : text;
}

bool run(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

std::unique_ptr<postgres_server>& instance() {
    static std::unique_ptr<postgres_server> server;
    return server;
}

} // namespace

postgres_server::postgres_server(std::string dir, int port, std::string run_as)
    : dir_(std::move(dir)), port_(port), run_as_(std::move(run_as)) {}

postgres_server* postgres_server::shared() {
    static bool tried = false;
    if (tried) return instance().get();
    tried = true;
    if (!std::filesystem::exists(bin + "initdb") || !std::filesystem::exists(bin + "pg_ctl")) {
        reason = "PostgreSQL 15 is not installed (" + bin + "initdb); .ci/install-deps installs postgresql-15";
        return nullptr;
    }
    std::string run_as;
    if (::geteuid() == 0) {
        if (!run("id postgres >/dev/null 2>&1")) {
            reason = "running as root and there is no postgres user to run PostgreSQL as";
            return nullptr;
        }
        run_as = "runuser -u postgres -- ";
    }
    std::random_device rd;
    const auto dir = (std::filesystem::temp_directory_path() / ("qaqpa-pg-" + std::to_string(rd()))).string();
    std::filesystem::create_directories(dir);
    if (!run_as.empty() && !run("chown postgres " + dir)) {
        reason = "cannot hand " + dir + " to the postgres user";
        return nullptr;
    }
    const int port = free_loopback_port();
    const std::string data = dir + "/data";
    // Stops the server and removes its files when this process dies without
    // its destructor (a crash, a kill), even during initdb.
    run("nohup sh -c 'while kill -0 " + std::to_string(::getpid()) + " 2>/dev/null; do sleep 1; done; " + run_as +
        bin + "pg_ctl -D " + data + " stop -m immediate; rm -rf " + dir + "' >/dev/null 2>&1 &");
    // fsync off: these servers hold test data only, and the suite's commits go faster.
    const bool ok =
        run(run_as + bin + "initdb -D " + data + " -A trust -U qaqpa -E UTF8 --no-sync >" + dir + "/initdb.log 2>&1") &&
        run(run_as + bin + "pg_ctl -D " + data + " -l " + dir + "/server.log -w -t 30 -o \"-c listen_addresses=127.0.0.1 -p " +
            std::to_string(port) + " -k " + dir + " -c fsync=off -c max_connections=200\" start >/dev/null 2>&1");
    if (!ok) {
        reason = "the test PostgreSQL server did not start: " + tail_of(dir + "/initdb.log") + " " + tail_of(dir + "/server.log");
        return nullptr;
    }
    instance().reset(new postgres_server(dir, port, run_as));
    return instance().get();
}

const std::string& postgres_server::unavailable_reason() { return reason; }

postgres_server::~postgres_server() {
    run(run_as_ + bin + "pg_ctl -D " + dir_ + "/data -w -t 30 stop -m fast >/dev/null 2>&1");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string postgres_server::dsn(const std::string& db) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + db + " user=qaqpa connect_timeout=10";
}

} // namespace qaqpa::test
