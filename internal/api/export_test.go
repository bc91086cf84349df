package api

// ExportPage lets tests shrink the audit export's store pages.
var ExportPage = &exportPage
