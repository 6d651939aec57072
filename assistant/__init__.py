"""政策问答助手: Chinese policy documents → structure-aware chunks → vectors → hybrid retrieval → grounded answers."""
