output "topic_arn" {
  description = "ARN of the inbound-mail topic (goes into INBOXD_SES_TOPIC_ARNS)."
  value       = aws_sns_topic.inbound.arn
}
