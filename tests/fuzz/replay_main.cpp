// SPDX-License-Identifier: MIT
// Replays a fuzz harness over its seed corpus in the normal (sanitized) build, so every fuzz
// target is compiled and its seeds checked even where libFuzzer is not built.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size);

int main(int argc, char **argv)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        fs::path const p{argv[i]};
        if (fs::is_directory(p)) {
            for (auto const &e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file())
                    inputs.push_back(e.path());
        } else {
            inputs.push_back(p);
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "replay: no inputs given\n");
        return 1;
    }
    for (auto const &p : inputs) {
        std::ifstream in{p, std::ios::binary};
        std::vector<uint8_t> const bytes{std::istreambuf_iterator<char>(in), {}};
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    std::printf("replay: %zu inputs ran clean\n", inputs.size());
    return 0;
}
