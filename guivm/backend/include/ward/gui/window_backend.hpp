// SPDX-License-Identifier: MIT
// A Qt window on a host display (X11: Xvfb in tests, a developer's desktop) showing the composed
// screen and feeding the user's keyboard and pointer into the compositor. The KMS backend for the
// real GUI domain (libdrm dumb buffers, mode setting, page flips) is future work.
#pragma once

#include <QImage>
#include <QRasterWindow>

#include "ward/gui/backend.hpp"

namespace gvm
{

class Compositor;

class Window_backend : public QRasterWindow, public Backend
{
  public:
    explicit Window_backend(QSize size);
    void attach(Compositor *c) { compositor_ = c; }
    void present(QImage const &frame, QRegion const &damage) override;

  protected:
    void paintEvent(QPaintEvent *e) override;
    void keyPressEvent(QKeyEvent *e) override;
    void keyReleaseEvent(QKeyEvent *e) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseReleaseEvent(QMouseEvent *e) override;
    void mouseMoveEvent(QMouseEvent *e) override;

  private:
    Compositor *compositor_ = nullptr;
    QImage frame_;
};

} // namespace gvm
