// SPDX-License-Identifier: MIT
#include "ward/gui/image_backend.hpp"

#include <cstring>

namespace gvm
{

void Image_backend::present(QImage const &frame, QRegion const &damage)
{
    if (scanout_.size() != frame.size() || scanout_.format() != frame.format()) {
        scanout_ = frame.copy();
    } else {
        for (QRect const &r : damage) {
            QRect const c = r.intersected(frame.rect());
            for (int y = c.top(); y <= c.bottom(); ++y)
                std::memcpy(scanout_.scanLine(y) + c.left() * 4,
                            frame.constScanLine(y) + c.left() * 4,
                            static_cast<std::size_t>(c.width()) * 4);
        }
    }
    ++presents_;
    if (on_present)
        on_present();
}

} // namespace gvm
