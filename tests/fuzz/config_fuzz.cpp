// libFuzzer target for the config loader: any text is either a config or a
// CONFIG_INVALID failure with a one-line detail; never a crash or a hang.
#include "core/config.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto cfg = qaqpa::parse_config(text, "fuzz.toml", "/nonexistent");
    if (!cfg && (cfg.error().detail.empty() || cfg.error().detail.find('\n') != std::string::npos)) {
        std::fprintf(stderr, "detail: %s\n", cfg.error().detail.c_str());
        std::abort();
    }
    return 0;
}
