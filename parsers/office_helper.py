"""The UNO side of the warm LibreOffice converter (run by the system Python, not the venv).

Debian's python3-uno is built for /usr/bin/python3, so this small script runs
there: it starts one headless soffice listening on a private pipe, connects to
it over UNO and then converts one file per request line on stdin, answering
one JSON line on stdout. Only the standard library and `uno` may be imported
here. parsers/office_server.py owns this process; nothing else talks to it.

Request:  {"src": "/tmp/.../form.doc", "dst": "/tmp/.../form.docx", "filter": "MS Word 2007 XML"}
          (optionally "password": the file is stored encrypted; the test fixtures use it)
Answer:   {"ok": true} | {"error": "load" or "store", "detail": "..."} ; the first line is {"ready": true}.
"""

import json
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

START_SECONDS = 90


def _props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _say(**answer):
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def _connect(soffice, profile_url, pipe):
    """Start soffice on a private pipe and return its Desktop once it answers."""
    accept = f"pipe,name={pipe};urp;StarOffice.ComponentContext"
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile_url}", "--headless", "--invisible", "--nologo",
         "--norestore", "--nodefault", "--nolockcheck", f"--accept={accept}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:{accept}")
            break
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("soffice did not start")
            time.sleep(0.1)
    return office, context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def _convert(desktop, request):
    """Load (no macros, no link updates, hidden) and store under the requested filter."""
    load = _props(Hidden=True, ReadOnly=True, MacroExecutionMode=0, UpdateDocMode=0, RepairPackage=False)
    try:
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(request["src"]), "_blank", 0, load)
    except Exception as exc:  # IllegalArgumentException / IOException: LibreOffice cannot read the file
        return {"error": "load", "detail": f"{type(exc).__name__}: {exc}"}
    if document is None:
        return {"error": "load", "detail": "loadComponentFromURL returned nothing"}
    store = {"FilterName": request["filter"]}
    if request.get("password"):
        store["Password"] = request["password"]
    try:
        document.storeToURL(uno.systemPathToFileUrl(request["dst"]), _props(**store))
    except Exception as exc:  # e.g. a workbook sent as .doc cannot be stored as Word
        desktop.getFrames()  # raises (and ends this helper) when soffice itself is gone
        return {"error": "store", "detail": f"{type(exc).__name__}: {exc}"}
    finally:
        try:
            document.close(True)
        except Exception:
            pass
    return {"ok": True}


def main():
    soffice, profile_url, pipe = sys.argv[1:4]
    office, desktop = _connect(soffice, profile_url, pipe)
    _say(ready=True)
    try:
        for line in sys.stdin:
            _say(**_convert(desktop, json.loads(line)))
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=10)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
