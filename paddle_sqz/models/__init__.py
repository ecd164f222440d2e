"""paddle_sqz.models"""
