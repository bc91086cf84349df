package api

// ExportPage lets tests shrink the audit export's store pages.
var ExportPage = &exportPage

// Descriptions are the operations' descriptions, by operation id.
var Descriptions = descriptions
