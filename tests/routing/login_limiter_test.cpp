#include "routing/login_limiter.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa::routing;

TEST_CASE("failed logins of one sender beyond the limit are refused until the window moves on", "[unit][routing][login]") {
    login_limiter l({3, 100, 1000});
    for (int i = 0; i < 3; ++i) {
        CHECK(l.refusal("is-a", "10.0.0.1", 100 * i).empty());
        l.failed("is-a", "10.0.0.1", true, 100 * i);
    }
    CHECK(l.refusal("is-a", "10.0.0.2", 300).find("3 failed logins for \"is-a\"") != std::string::npos);
    CHECK(l.refusal("is-b", "10.0.0.1", 300).empty()); // another sender from the same address
    CHECK(l.refusal("is-a", "10.0.0.1", 1000).empty()); // the first failure left the window
}

TEST_CASE("failed logins from one address are limited whatever ids they use", "[unit][routing][login]") {
    login_limiter l({100, 4, 1000});
    for (int i = 0; i < 4; ++i) l.failed("made-up-" + std::to_string(i), "10.0.0.9", false, 10);
    CHECK(l.refusal("anyone", "10.0.0.9", 20).find("from 10.0.0.9") != std::string::npos);
    CHECK(l.refusal("anyone", "10.0.0.8", 20).empty());
    CHECK(l.refusal("made-up-0", "10.0.0.8", 20).empty()); // unknown ids are not tracked as senders
}

TEST_CASE("a limit of 0 turns that limit off", "[unit][routing][login]") {
    login_limiter l({0, 0, 1000});
    for (int i = 0; i < 50; ++i) l.failed("is-a", "10.0.0.1", true, i);
    CHECK(l.refusal("is-a", "10.0.0.1", 60).empty());
}

TEST_CASE("the limiter tracks at most max_keys addresses", "[unit][routing][login]") {
    login_limiter l({10, 2, 1000, 100});
    for (int i = 0; i < 1000; ++i) l.failed("", "10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), false, 5);
    // The newest keys are still tracked; the table did not grow past its bound.
    l.failed("", "10.9.9.9", false, 6);
    l.failed("", "10.9.9.9", false, 7);
    CHECK_FALSE(l.refusal("x", "10.9.9.9", 8).empty());
}
