// SPDX-License-Identifier: MIT
// Offscreen backend: copies each presented damage into its own image, as a scanout buffer would
// be updated. Used by tests and benchmarks.
#pragma once

#include <QImage>
#include <functional>

#include "ward/gui/backend.hpp"

namespace gvm
{

class Image_backend : public Backend
{
  public:
    void present(QImage const &frame, QRegion const &damage) override;
    QImage const &scanout() const { return scanout_; }
    uint64_t presents() const { return presents_; }
    std::function<void()> on_present; // optional hook (latency measurements)

  private:
    QImage scanout_;
    uint64_t presents_ = 0;
};

} // namespace gvm
