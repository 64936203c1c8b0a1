// SPDX-License-Identifier: MIT
// A policy as read from ACM XML, before checking: names with the lines they came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ward::policy::detail
{

struct Ref
{
    std::string name;
    int line = 0;
};

struct Type_def
{
    std::string name;
    int line = 0;
};

struct Conflict_def
{
    std::string name;
    int line = 0;
    std::vector<Ref> types;
};

struct Label_def
{
    std::string name;
    std::optional<std::string> from; // Name@from
    bool resource = false;
    int line = 0;
    std::vector<Ref> ste;
    std::vector<Ref> cw;
};

// <?ward-colour type="..." colour="#rrggbb"?>
struct Colour_def
{
    std::string type;
    uint32_t rgb = 0;
    int line = 0;
};

struct Source
{
    std::string file;
    std::string name;
    uint32_t major = 0;
    uint32_t minor = 0;
    std::vector<Type_def> ste;
    std::vector<Type_def> cw;
    std::vector<Conflict_def> conflicts;
    int conflict_sets_line = 0; // <ConflictSets>, if present
    std::vector<Label_def> labels;
    std::optional<Ref> bootstrap;
    int template_line = 0; // <SecurityLabelTemplate>
    std::vector<Colour_def> colours;
};

} // namespace ward::policy::detail
