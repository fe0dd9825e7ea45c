"""Writers: the committee workbook, the CSV files beside it, and feedback for departments."""
