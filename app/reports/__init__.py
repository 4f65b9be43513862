"""PDF and Excel exports of the services' read models; the GUI and the command line share them.

Importing the package is cheap: reportlab and openpyxl load only with the module that needs
them (``app.reports.pdf``, ``app.reports.excel``), so ``jurisdesk --help`` stays fast.
The use cases callers want are in ``app.reports.exports``.
"""
