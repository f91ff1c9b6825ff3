output "rule_set_name" {
  description = "The active receipt rule set."
  value       = aws_ses_receipt_rule_set.this.rule_set_name
}

output "mx_record" {
  description = "The MX record value."
  value       = "10 ${local.ses_inbound_endpoint}"
}
