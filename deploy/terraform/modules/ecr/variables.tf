variable "repositories" {
  description = "Repository names."
  type        = list(string)
}

variable "keep_images" {
  description = "Images kept per repository."
  type        = number
  default     = 10
}
