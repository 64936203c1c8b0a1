// SPDX-License-Identifier: MIT
// A policy error with its place: file, line, column (0 when unknown) and the element.
#pragma once

#include <string>

namespace ward::policy
{

struct Error
{
    std::string file;    // the policy file, or "<memory>"
    int line = 0;        // 1-based; 0 when the error has no place in a file
    int column = 0;      // 1-based; only XML well-formedness errors know it
    std::string element; // the element being read, e.g. "VirtualMachineLabel"
    std::string message;

    // "desktop.xml:12:5: <Type>: unknown STE type 'ste_x'"
    std::string to_string() const;
};

} // namespace ward::policy
