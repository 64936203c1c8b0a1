// SPDX-License-Identifier: MIT
// An ordinary Xlib application for the ward-gui-agent test; it knows nothing of Ward. A 200x150
// window filled red, titled through _NET_WM_NAME (UTF-8, with a right-to-left override the daemon
// must drop) and WM_NAME, and an override-redirect popup filled green. It logs every key and
// button it receives on stdout; a key press repaints the main window blue, retitles it "Pressed",
// unmaps the popup and drops the urgency hint it starts with, so the test sees damage, titles,
// unmaps and flags travel. It owns CLIPBOARD ("guest secret 42") until someone else takes it, and
// on the 'v' key (keycode 55) prints what CLIPBOARD holds then.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <cstdio>
#include <cstring>

int main()
{
    Display *dpy = XOpenDisplay(nullptr);
    if (!dpy) {
        std::fprintf(stderr, "x11_test_client: no display\n");
        return 1;
    }
    int const scr = DefaultScreen(dpy);
    Window const root = RootWindow(dpy, scr);
    unsigned long const red = 0xff0000, green = 0x00ff00, blue = 0x0000ff;
    Window const main_w = XCreateSimpleWindow(dpy, root, 50, 60, 200, 150, 0, 0, red);
    XSelectInput(dpy, main_w, KeyPressMask | KeyReleaseMask | ButtonPressMask | ExposureMask);
    XStoreName(dpy, main_w, "legacy name");
    char const title[] = "Farbtest \xe2\x9c\x93\xe2\x80\xae";
    Atom const net_wm_name = XInternAtom(dpy, "_NET_WM_NAME", False);
    Atom const utf8 = XInternAtom(dpy, "UTF8_STRING", False);
    XChangeProperty(dpy, main_w, net_wm_name, utf8, 8, PropModeReplace,
                    reinterpret_cast<unsigned char const *>(title), std::strlen(title));
    XSetWindowAttributes a{};
    a.override_redirect = True;
    a.background_pixel = green;
    Window const popup = XCreateWindow(dpy, root, 400, 300, 60, 40, 0, CopyFromParent, InputOutput,
                                       CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
    XWMHints *hints = XAllocWMHints();
    hints->flags = XUrgencyHint;
    XSetWMHints(dpy, main_w, hints);
    XMapWindow(dpy, main_w);
    XMapWindow(dpy, popup);
    GC gc = XCreateGC(dpy, main_w, 0, nullptr);
    Atom const clipboard = XInternAtom(dpy, "CLIPBOARD", False);
    Atom const prop = XInternAtom(dpy, "TEST_PASTE", False);
    char const secret[] = "guest secret 42";
    XSetSelectionOwner(dpy, clipboard, main_w, CurrentTime);
    unsigned long colour = red;
    std::printf("client: ready 0x%lx\n", main_w);
    std::fflush(stdout);
    for (;;) {
        XEvent e;
        XNextEvent(dpy, &e);
        if (e.type == Expose) {
            XSetForeground(dpy, gc, colour);
            XFillRectangle(dpy, main_w, gc, 0, 0, 200, 150);
        } else if (e.type == KeyPress || e.type == KeyRelease) {
            KeySym const sym = XLookupKeysym(&e.xkey, 0);
            std::printf("client: key %s keycode %u keysym %s state 0x%x\n",
                        e.type == KeyPress ? "press" : "release", e.xkey.keycode,
                        XKeysymToString(sym) ? XKeysymToString(sym) : "?", e.xkey.state);
            std::fflush(stdout);
            if (e.type == KeyPress && e.xkey.keycode == 55)
                XConvertSelection(dpy, clipboard, utf8, prop, main_w, e.xkey.time);
            if (e.type == KeyPress && colour != blue) {
                colour = blue;
                XSetForeground(dpy, gc, colour);
                XFillRectangle(dpy, main_w, gc, 0, 0, 200, 150);
                char const t2[] = "Pressed";
                XChangeProperty(dpy, main_w, net_wm_name, utf8, 8, PropModeReplace,
                                reinterpret_cast<unsigned char const *>(t2), std::strlen(t2));
                XUnmapWindow(dpy, popup);
                hints->flags = 0; // attention no longer needed
                XSetWMHints(dpy, main_w, hints);
                XFlush(dpy);
            }
        } else if (e.type == SelectionRequest) {
            XSelectionRequestEvent const &r = e.xselectionrequest;
            XSelectionEvent reply{};
            reply.type = SelectionNotify;
            reply.requestor = r.requestor;
            reply.selection = r.selection;
            reply.target = r.target;
            reply.time = r.time;
            reply.property = None;
            if (r.target == utf8 || r.target == XA_STRING) {
                Atom const p = r.property != None ? r.property : r.target;
                XChangeProperty(dpy, r.requestor, p, r.target, 8, PropModeReplace,
                                reinterpret_cast<unsigned char const *>(secret),
                                std::strlen(secret));
                reply.property = p;
            }
            XSendEvent(dpy, r.requestor, False, NoEventMask, reinterpret_cast<XEvent *>(&reply));
            XFlush(dpy);
        } else if (e.type == SelectionClear) {
            std::printf("client: lost clipboard\n");
            std::fflush(stdout);
        } else if (e.type == SelectionNotify && e.xselection.property == prop) {
            Atom type = 0;
            int format = 0;
            unsigned long n = 0, after = 0;
            unsigned char *data = nullptr;
            XGetWindowProperty(dpy, main_w, prop, 0, 1024, True, AnyPropertyType, &type, &format,
                               &n, &after, &data);
            std::printf("client: pasted '%.*s'\n", static_cast<int>(n),
                        data ? reinterpret_cast<char *>(data) : "");
            std::fflush(stdout);
            if (data)
                XFree(data);
        } else if (e.type == ButtonPress) {
            std::printf("client: button %u at %d,%d\n", e.xbutton.button, e.xbutton.x, e.xbutton.y);
            std::fflush(stdout);
        }
    }
}
