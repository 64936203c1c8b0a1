// SPDX-License-Identifier: MIT
// MEMORY and PAGE_ALLOC policies for hv::pt::Page_table in host tests: page tables live in a
// map keyed by physical address, every entry write is recorded (and can run a check after it),
// and the allocator hands out zeroed tables up to a limit and catches bad or double frees.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace hv_test
{

struct Fake_memory
{
    struct Write
    {
        uint64_t table;
        unsigned index;
        uint64_t old_value;
        uint64_t new_value;
    };

    std::map<uint64_t, std::array<uint64_t, 512>> tables;
    std::vector<Write> writes;
    std::function<void()> after_write;

    uint64_t read(uint64_t table, unsigned index) const
    {
        auto const it = tables.find(table);
        if (it == tables.end() || index >= 512) {
            ADD_FAILURE() << "read outside any table: " << std::hex << table << " [" << index
                          << "]";
            return 0;
        }
        return it->second[index];
    }

    void write(uint64_t table, unsigned index, uint64_t value)
    {
        auto const it = tables.find(table);
        if (it == tables.end() || index >= 512) {
            ADD_FAILURE() << "write outside any table: " << std::hex << table;
            return;
        }
        writes.push_back({table, index, it->second[index], value});
        it->second[index] = value;
        if (after_write)
            after_write();
    }
};

struct Fake_alloc
{
    explicit Fake_alloc(Fake_memory &m) : mem{m} {}

    Fake_memory &mem;
    size_t limit = 1000; // live tables at most
    uint64_t next = 0x10000000;
    std::set<uint64_t> live;
    size_t frees = 0;

    std::optional<uint64_t> alloc_table()
    {
        if (live.size() >= limit)
            return std::nullopt;
        uint64_t const pa = next;
        next += 4096;
        mem.tables[pa] = {};
        live.insert(pa);
        return pa;
    }

    void free_table(uint64_t pa)
    {
        EXPECT_EQ(live.erase(pa), 1u) << "freeing a table that is not live: " << std::hex << pa;
        mem.tables.erase(pa);
        ++frees;
    }
};

} // namespace hv_test
