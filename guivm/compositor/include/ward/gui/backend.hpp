// SPDX-License-Identifier: MIT
// Where composed frames go: an in-memory image (tests, benchmarks), a Qt window on an X display
// (guivm/backend), later KMS dumb buffers through libdrm. Input comes back through the
// compositor's key/button/motion calls.
#pragma once

#include <QImage>
#include <QRegion>

namespace gvm
{

class Backend
{
  public:
    virtual ~Backend() = default;
    // Shows `frame`; only `damage` changed since the previous call.
    virtual void present(QImage const &frame, QRegion const &damage) = 0;
};

} // namespace gvm
